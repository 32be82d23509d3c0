project_id = "globex-prod"
region     = "europe-west1"

# AWS side: S3 exports for the client's legacy warehouse (provider "aws" takes access_key / secret_key)
aws_access_key = "«[aws-access-key-id]AKIA{{upper32:16}}»"
aws_secret_key = "«[generic-credential-assignment]{{b64:40}}»"

db_password          = "«[generic-credential-assignment]{{alnum:24}}»"
cloudflare_api_token = "«[generic-credential-assignment]{{urlsafe:40}}»"
gitlab_token         = "«[gitlab-pat]glpat-{{urlsafe:20}}»"
alert_email          = "ops@globex.example"
