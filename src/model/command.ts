/** The commands, by name (the CLI's subcommands; every report says which one made it). */
export const COMMANDS = ['inspect-cache', 'verify-token', 'probe-github', 'github-audit', 'diagnose', 'check', 'demo', 'clients'] as const;
export type CommandName = (typeof COMMANDS)[number];
