# ~/.profile: executed by the command interpreter for login shells.

if [ -n "$BASH_VERSION" ]; then
    if [ -f "$HOME/.bashrc" ]; then
        . "$HOME/.bashrc"
    fi
fi

if [ -d "$HOME/.local/bin" ] ; then
    PATH="$HOME/.local/bin:$PATH"
fi

export EDITOR=nvim
export HF_TOKEN=«[huggingface-access-token]hf_{{alpha:34}}»
export STRIPE_API_KEY='«[stripe-restricted-key]rk_live_51{{alnum:97}}»'
