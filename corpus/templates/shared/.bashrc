# ~/.bashrc: executed by bash(1) for non-login shells.

case $- in
    *i*) ;;
      *) return;;
esac

HISTCONTROL=ignoreboth
HISTSIZE=100000
HISTFILESIZE=200000
HISTTIMEFORMAT='%F %T '
shopt -s histappend

alias ll='ls -alF'
alias k=kubectl

# agency tooling (TODO move these to 1Password)
export ANTHROPIC_API_KEY="«[anthropic-api-key]sk-ant-api03-{{urlsafe:93}}AA»"
export GITHUB_TOKEN=«[github-pat]ghp_{{alnum:30}}{{crc32b62}}»
export OPENAI_API_KEY="«[decoy:env-reference]$(op read op://agency/openai/credential)»"
export NPM_TOKEN=«[decoy:env-reference]${NPM_TOKEN_AGENCY}»

[ -f ~/.fzf.bash ] && source ~/.fzf.bash
eval "$(direnv hook bash)"
