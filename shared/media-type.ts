/**
 * The media type of a `Content-Type` header, lower case and without parameters:
 * `application/json` from `application/json; charset=utf-8`; empty when there is none.
 */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}
