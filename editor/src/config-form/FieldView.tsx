import { ArgvField } from './ArgvField.js';
import { ExpressionField } from './ExpressionField.js';
import type { FieldModel } from './field-model.js';
import { ObjectField, UnionField } from './GroupFields.js';
import { KeyValueField } from './KeyValueField.js';
import { JsonField, ListField } from './ListAndJsonFields.js';
import { BooleanField, NumberField, SelectField, TextField } from './ScalarFields.js';
import { SecretField } from './SecretField.js';

/** The widget for one field of the model. */
export function FieldView({ field }: { field: FieldModel }) {
  switch (field.kind) {
    case 'text':
      return <TextField field={field} />;
    case 'number':
      return <NumberField field={field} />;
    case 'boolean':
      return <BooleanField field={field} />;
    case 'select':
      return <SelectField field={field} />;
    case 'expression':
      return <ExpressionField field={field} />;
    case 'secret':
      return <SecretField field={field} />;
    case 'keyValue':
      return <KeyValueField field={field} />;
    case 'argv':
      return <ArgvField field={field} />;
    case 'list':
      return <ListField field={field} />;
    case 'json':
      return <JsonField field={field} />;
    case 'object':
      return <ObjectField field={field} />;
    case 'union':
      return <UnionField field={field} />;
  }
}
