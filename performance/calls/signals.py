"""Keep computed 999 ranks in step with what they are computed from (a month's figures, the
groups' membership, the site settings), and connect the ranks to the pages' Last-Modified date
(``publishing.signals``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.calls.ranking import ranks_are_deferred, ranks_recompute
from performance.forces.models import ForceGroupMembership, SiteSettings
from performance.publishing import signals as content


@receiver([post_save, post_delete], sender=CallAnswerMonth)
def call_month_changed(sender, instance, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute(months=[instance.month])


@receiver([post_save, post_delete], sender=ForceGroupMembership)
@receiver(post_save, sender=SiteSettings)
def groups_changed(sender, **kwargs):
    if not ranks_are_deferred() and not kwargs.get("raw"):
        ranks_recompute()


# An import defers the recomputation, and the noting of each change with it: it recomputes and
# notes the change once at the end.
content.deferred_while(ranks_are_deferred)

# Ranks are written in bulk, which sends no signal, and their writer moves the version itself. A
# rank saved on its own is one entered by hand (the recomputation writes in bulk, and moves the
# version itself when a public rank changes). No delete receiver: it would stop the
# recomputation's fast bulk delete; the admin notes a deleted rank itself.
content.connected_by_domain(CallAnswerRank)
post_save.connect(
    content.content_changed, sender=CallAnswerRank, dispatch_uid="content_changed_save_CallAnswerRank"
)
