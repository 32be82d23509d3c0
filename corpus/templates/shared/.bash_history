#1763400000
cd ~/clients/globex/api
#1763400012
export GITLAB_TOKEN=«[gitlab-pat]glpat-{{urlsafe:20}}»
#1763400090
curl -s --header "PRIVATE-TOKEN: «[gitlab-pat]glpat-{{urlsafe:20}}»" https://gitlab.com/api/v4/user | jq .username
#1763400150
psql "postgres://globex_admin:«[database-url-password]{{alnum:24}}»@10.2.0.4:5432/globex" -c 'select count(*) from exports'
#1763400203
aws configure set aws_secret_access_key «[aws-secret-access-key]{{b64:40}}» --profile globex-prod
#1763400260
git show «[decoy:git-sha]{{hex:40}}» --stat
#1763400301
cat > ~/.config/umbrella-bot/token <<'EOF'
«[slack-bot-token]xoxb-{{digits:12}}-{{digits:13}}-{{alnum:24}}»
EOF
#1763400355
export OPENAI_API_KEY=«[decoy:env-reference]$(op read op://globex/openai/credential)»
#1763400402
history -a
