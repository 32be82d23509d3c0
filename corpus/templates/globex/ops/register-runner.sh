#!/usr/bin/env bash
# Registers the build runner against the client's self-managed GitLab (legacy registration flow).
set -euo pipefail
gitlab-runner register --non-interactive \
  --url "https://gitlab.globex.example/" \
  --registration-token "«[gitlab-runner-registration-token]GR1348941{{urlsafe:20}}»" \
  --executor docker --docker-image alpine:3.20 --description globex-build-3
