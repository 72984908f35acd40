"""Staff pages: the sub-account's possible duplicates, the side-by-side merge screen, and undo."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from accounts.mixins import SubAccountMixin
from contacts.models import Contact
from contacts_site.errors import DomainError
from identity import services
from identity.duplicates import duplicate_list_refresh, stored_pairs
from identity.models import Merge
from identity.services import CHOOSABLE_FIELDS

PAIRS_PER_PAGE = 50


def _problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error.message)


class DuplicateListView(SubAccountMixin, TemplateView):
    """Possible duplicates of the whole sub-account, best first."""

    template_name = "identity/duplicates.html"
    model = Contact

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        duplicate_list_refresh(self.sub_account)
        stored = stored_pairs(self.sub_account).select_related("first", "second")
        pairs = list(stored[:PAIRS_PER_PAGE])
        total = stored.count() if len(pairs) == PAIRS_PER_PAGE else len(pairs)
        context.update(pairs=pairs, total=total, shown=len(pairs))
        return context


class MergeView(SubAccountMixin, TemplateView):
    """Compare contacts side by side, choose the survivor and each field's winner, merge.

    GET `?from=<id>` (repeatable) shows the preview of merging those into this contact; POST merges with the
    versions the page showed, so a contact changed meanwhile is refused rather than overwritten."""

    template_name = "identity/merge.html"
    model = Contact

    def _ids(self, data) -> tuple[str, list[str]]:
        target = self.get_object().pk
        sources = [pk for pk in data.getlist("from") if pk and pk != target]
        return target, list(dict.fromkeys(sources))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target, sources = self._ids(self.request.GET)
        if not sources:
            context["problem"] = "Choose a contact to merge with this one, from its possible duplicates."
            context["contact"] = self.get_object()
            return context
        survivor = self.request.GET.get("survivor", target)
        if survivor not in (target, *sources):
            survivor = target
        others = [pk for pk in (target, *sources) if pk != survivor]
        winners = {name: self.request.GET.get(name) for name in CHOOSABLE_FIELDS if self.request.GET.get(name)}
        try:
            plan, _ = services.contact_merge(
                sub_account=self.sub_account, target_id=survivor, source_ids=others, choices=winners, preview=True
            )
        except (DomainError, ValidationError) as error:
            context["problem"] = _problem(error)
            return context
        participants = [plan.target, *plan.sources]
        context.update(
            plan=plan,
            participants=participants,
            survivor=survivor,
            fields=[
                {
                    "name": name,
                    "label": name.capitalize(),
                    "winner": plan.value_from[name],
                    "values": [(contact.pk, getattr(contact, name)) for contact in participants],
                }
                for name in CHOOSABLE_FIELDS
            ],
            source_ids=others,
        )
        return context

    def post(self, request, pk):
        target = request.POST.get("survivor", "")
        sources = [contact_id for contact_id in request.POST.getlist("from") if contact_id != target]
        versions = {key[len("version_") :]: value for key, value in request.POST.items() if key.startswith("version_")}
        winners = {name: request.POST[name] for name in CHOOSABLE_FIELDS if request.POST.get(name)}
        # The survivor must be the sub-account's: looked up through the page's wall (a 404 otherwise).
        self.get_object(pk=target)
        try:
            _, merge = services.contact_merge(
                sub_account=self.sub_account,
                target_id=target,
                source_ids=sources,
                expected_versions=versions,
                choices=winners,
            )
        except (DomainError, ValidationError) as error:
            messages.error(request, f"Not merged: {_problem(error)}")
            query = "&".join(f"from={contact_id}" for contact_id in sources)
            return redirect(f"{reverse('identity:merge', args=[target])}?{query}")
        count = len(merge.source_ids)
        messages.success(
            request,
            f"Merged {count} contact{'s' if count > 1 else ''} into {merge.after['name']}. You can undo it below.",
        )
        return redirect("contacts:detail", merge.target_id)


class MergeDetailView(SubAccountMixin, TemplateView):
    """One merge: who was merged into whom, what the survivor took, and its undo (where a timeline entry of
    the merge links)."""

    template_name = "identity/merge_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merge = self.get_object(Merge, self.kwargs["merge_id"])
        survivor = self.get_queryset(Contact).filter(pk=merge.target_id).first()
        context.update(merge=merge, survivor=survivor)
        return context


class MergeUndoView(SubAccountMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, merge_id):
        merge = self.get_object(Merge, merge_id)
        try:
            merge = services.merge_undo(sub_account=self.sub_account, merge_id=merge.pk)
        except (DomainError, ValidationError) as error:
            messages.error(request, f"Not undone: {_problem(error)}")
            if self.get_queryset(Contact).filter(pk=merge.target_id).exists():
                return redirect("contacts:detail", merge.target_id)
            return redirect("identity:duplicates")
        messages.success(request, "Merge undone: the merged contacts are back.")
        return redirect("contacts:detail", merge.target_id)
