from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Notification
from .permissions import Action, allowed_actions

# The navigation, in order: (action that grants it, label, url name).
_NAV = [
    (Action.VIEW_MY_CAMPAIGNS, _("My campaigns"), "my_campaigns"),
    (Action.VIEW_CAMPAIGNS, _("All campaigns"), "campaign_list"),
    (Action.VIEW_REVIEW_QUEUE, _("Review queue"), "review_queue"),
    (Action.VIEW_DASHBOARD, _("Dashboard"), "dashboard"),
    (Action.MANAGE_PEOPLE, _("People"), "people"),
    (Action.VIEW_GUIDELINES, _("Guidelines"), "guideline_list"),
    (Action.VIEW_REGISTER, _("AI tools"), "register_list"),
    (Action.USE_ADMIN, _("Admin"), "admin:index"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_can": {}}
    actions = allowed_actions(user)
    path = request.path
    items = []
    for action, label, url_name in _NAV:
        if action in actions:
            items.append({"label": label, "url": reverse(url_name), "active": False})
    # The item whose address is the longest prefix of this page's is the current one.
    current = max(
        (item for item in items if path.startswith(item["url"])),
        key=lambda item: len(item["url"]),
        default=None,
    )
    if current is not None:
        current["active"] = True
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {
        "nav_items": items,
        "user_can": {action.value: True for action in actions},
        "unread_notifications": unread,
    }
