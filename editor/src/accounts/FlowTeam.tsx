import { teamName } from './access.js';
import { useAccount } from './me.js';

/** "· team Payments" in the flow editor's title: whose flow this is (or will be, for a new one). */
export function FlowTeam({ team, isNew }: { team: string; isNew: boolean }) {
  const { teams } = useAccount();
  return (
    <span className="flow-team" data-testid="flow-team" title={isNew ? 'The team this flow will belong to' : 'The team that owns this flow'}>
      {' · '}
      {isNew ? 'for team ' : 'team '}
      {teamName(team, teams)}
    </span>
  );
}
