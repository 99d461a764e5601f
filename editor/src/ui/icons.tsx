import {
  BellOff,
  BellRing,
  ChartLine,
  MessageSquare,
  Mail,
  CalendarClock,
  CloudAlert,
  Dog,
  Gauge,
  MonitorDot,
  Play,
  Repeat,
  ServerCrash,
  SquareTerminal,
  Clock,
  Filter,
  Flame,
  GitBranch,
  Globe,
  HeartPulse,
  Puzzle,
  Variable,
  Terminal,
  UserCheck,
  Webhook,
  Workflow,
  type LucideIcon,
} from 'lucide-react';

/** Icon names used by node definitions (each definition.ts under nodes/) → glyphs. */
const NODE_ICONS: Record<string, LucideIcon> = {
  prometheus: Flame,
  webhook: Webhook,
  filter: Filter,
  branch: GitBranch,
  globe: Globe,
  terminal: Terminal,
  ssh: SquareTerminal,
  clock: Clock,
  'user-check': UserCheck,
  'health-check': HeartPulse,
  'metrics-check': ChartLine,
  // Alert sources: the tool's own marks are trademarks, so each gets a plain glyph of what it does.
  grafana: Gauge,
  zabbix: ServerCrash,
  pagerduty: BellRing,
  slack: MessageSquare,
  mail: Mail,
  datadog: Dog,
  nagios: MonitorDot,
  icinga: MonitorDot,
  cloudwatch: CloudAlert,
  schedule: CalendarClock,
  calendar: CalendarClock,
  manual: Play,
  play: Play,
  variable: Variable,
  repeat: Repeat,
  'call-flow': Workflow,
  silence: BellOff,
};

/** The glyph for a node type's icon name; unknown names get a neutral piece. */
export function NodeIcon({ name, size = 16 }: { name: string; size?: number }) {
  const Icon = NODE_ICONS[name] ?? Puzzle;
  return <Icon size={size} aria-hidden="true" />;
}
