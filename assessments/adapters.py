from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: accounts are created by accepting an invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False
