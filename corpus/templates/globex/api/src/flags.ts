import { initialize } from 'unleash-client';

// GitLab feature flags speak the Unleash protocol; the instance id is the client token.
export const unleash = initialize({
  url: 'https://gitlab.com/api/v4/feature_flags/unleash/4821',
  appName: process.env.NODE_ENV ?? 'production',
  instanceId: '«[gitlab-feature-flag-client-token]glffct-{{urlsafe:20}}»',
});
