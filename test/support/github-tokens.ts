/**
 * Made-up GitHub tokens and an app for the probe tests (they never existed at GitHub): one token per
 * behaviour of the stand-in (test/support/fake-github.ts), so a test names what it probes.
 */
export const APP = 'Ov23liEXAMPLEapp0001';
export const APP_SECRET = 'example-app-secret-0001';

export const T = {
  alive: 'gho_aliveaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  dead: 'gho_deaddddddddddddddddddddddddddddddddd',
  limited: 'gho_ratelimitedrrrrrrrrrrrrrrrrrrrrrrrrr',
  secondary: 'gho_secondaryssssssssssssssssssssssssssss',
  sso: 'gho_ssossssssssssssssssssssssssssssssssss',
  locked: 'gho_lockedllllllllllllllllllllllllllllll',
  down500: 'gho_down500ddddddddddddddddddddddddddddd',
  down503: 'gho_down503ddddddddddddddddddddddddddddd',
  hang: 'gho_hanghhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh',
  ghu: 'ghu_appuseruuuuuuuuuuuuuuuuuuuuuuuuuuuuu',
  zero: 'gho_lastcallzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
  repoOnly: 'gho_repoonlyrrrrrrrrrrrrrrrrrrrrrrrrrrrr',
  other: 'gho_otherappooooooooooooooooooooooooooooo',
} as const;
