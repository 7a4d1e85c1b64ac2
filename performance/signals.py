"""Keep computed 999 ranks in step with the figures and the groups they depend on."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CallAnswerMonth, ForceGroupMembership, SiteSettings
from .ranking import ranks_are_deferred, ranks_recompute


@receiver([post_save, post_delete], sender=CallAnswerMonth)
def call_month_changed(sender, instance, **kwargs):
    if not ranks_are_deferred():
        ranks_recompute(months=[instance.month])


@receiver([post_save, post_delete], sender=ForceGroupMembership)
@receiver(post_save, sender=SiteSettings)
def groups_changed(sender, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute()
