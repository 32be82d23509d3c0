export PATH="$HOME/.local/bin:$PATH"
export FIRECRAWL_API_KEY=«[firecrawl-api-key=shared-firecrawl]»
alias gs='git status'
