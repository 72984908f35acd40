"""The staff workspace's pages (docs/workspace.md): saved views (save, rename, move, delete, counts), the
list's columns and density, and the custom-field definitions page. Thin: forms translate, services write."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.views.generic import TemplateView

from contacts import workspace_services as services
from contacts.definitions import MAX_LABEL_LENGTH, CustomFieldDefinition
from contacts.models import SavedView
from contacts.saved_views import MAX_VIEW_NAME_LENGTH
from contacts.validators import FIELD_TYPES, MAX_CUSTOM_FIELD_KEY_LENGTH
from contacts.views import (
    ContactPageMixin,
    CountedPaginator,
    ListState,
    contact_filter,
    view_list_data,
)
from contacts_site.forms import add_domain_error

LIST_PATH = "/"


def _list_url(value: str | None) -> str:
    """Back to the contact list the person was on (only ever a path of the list, never elsewhere)."""
    if isinstance(value, str) and value.startswith(LIST_PATH) and not value.startswith("//"):
        return value
    return reverse("contacts:list")


def _without_columns(url: str) -> str:
    path, _, query = url.partition("?")
    kept = "&".join(part for part in query.split("&") if part and not part.startswith("columns="))
    return f"{path}?{kept}" if kept else path


class ColumnsView(ContactPageMixin, TemplateView):
    """Remember the columns and density this user wants on the list of this sub-account."""

    http_method_names = ["post"]

    def post(self, request):
        # Read and checked like the URL's `columns`.
        columns = list(ListState.from_data(_columns_data(request.POST)).columns or [])
        services.list_preference_set(
            sub_account=self.sub_account,
            user_id=request.user.pk,
            columns=columns,
            compact=bool(request.POST.get("compact")),
        )
        messages.success(request, "Saved your columns.")
        return redirect(_without_columns(_list_url(request.POST.get("next"))))


def _columns_data(post) -> QueryDict:
    data = QueryDict(mutable=True)
    data["columns"] = ",".join(post.getlist("columns"))
    return data


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=MAX_VIEW_NAME_LENGTH, strip=False)
    shared = forms.BooleanField(required=False)
    query = forms.CharField(required=False, strip=False)


class SavedViewCreateView(ContactPageMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request):
        form = SavedViewForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give the view a name (at most 80 characters).")
            return redirect("contacts:list")
        try:
            view = services.saved_view_create(
                sub_account=self.sub_account, owner_id=request.user.pk, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("contacts:list")
        messages.success(request, f"Saved the view “{view.name}”.")
        return redirect(f"{reverse('contacts:list')}?view={view.pk}")


class SavedViewChangeView(ContactPageMixin, TemplateView):
    """Rename, move up or down, or delete one of the views this person sees (their own, or shared ones)."""

    model = SavedView
    http_method_names = ["post"]

    def scope_queryset(self, queryset):
        return queryset.visible_to(self.request.user.pk)

    def post(self, request, pk):
        view = self.get_object()
        action = request.POST.get("do")
        try:
            if action == "rename":
                view = services.saved_view_update(view=view, name=request.POST.get("name", ""))
                messages.success(request, f"Renamed the view to “{view.name}”.")
            elif action in {"up", "down"}:
                services.saved_view_move(view=view, visible_to=request.user.pk, offset=-1 if action == "up" else 1)
                messages.success(request, f"Moved “{view.name}” {action}.")
            elif action == "delete":
                services.saved_view_delete(view=view)
                messages.success(request, f"Deleted the view “{view.name}”.")
                return redirect("contacts:list")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(f"{reverse('contacts:list')}?view={view.pk}")


class SavedViewCountsView(ContactPageMixin, TemplateView):
    """The side list's counts, each swapped into its place (htmx out-of-band), reloaded every minute."""

    template_name = "contacts/_view_counts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = []
        contacts = self.get_queryset()
        for view in self.get_queryset(SavedView).visible_to(self.request.user.pk).in_order():
            state = ListState.from_data(view_list_data(view, QueryDict()))
            paginator = CountedPaginator(contact_filter(contacts, state), 1)
            counts.append({"view": view, "count": number_format(paginator.count, force_grouping=True)})
        context["counts"] = counts
        return context


# ---- custom-field definitions


class DefinitionForm(forms.Form):
    key = forms.CharField(max_length=MAX_CUSTOM_FIELD_KEY_LENGTH, strip=False, label="Key")
    label = forms.CharField(max_length=MAX_LABEL_LENGTH, strip=False, label="Label")
    type = forms.ChoiceField(choices=list(FIELD_TYPES.items()), label="Type")
    options = forms.CharField(
        required=False,
        label="Options",
        help_text="For the select types: one per line.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_as_column = forms.BooleanField(required=False, label="Show as a column on the contact list")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]  # fixed once created: it names the stored values

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class CustomFieldPageMixin(ContactPageMixin):
    model = CustomFieldDefinition
    nav = "custom-fields"


class CustomFieldListView(CustomFieldPageMixin, TemplateView):
    """The sub-account's field definitions, and the form that adds one."""

    template_name = "contacts/custom_fields.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DefinitionForm())
        context["definitions"] = list(self.get_queryset().in_order())
        context["field_types"] = FIELD_TYPES
        return context

    def post(self, request):
        form = DefinitionForm(request.POST)
        if form.is_valid():
            try:
                definition = services.custom_field_definition_create(sub_account=self.sub_account, **form.cleaned_data)
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"Defined the field “{definition.label}”.")
                return redirect("contacts:custom-fields")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CustomFieldEditView(CustomFieldPageMixin, TemplateView):
    template_name = "contacts/custom_field_edit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        definition = self.get_object()
        context["definition"] = definition
        context.setdefault(
            "form",
            DefinitionForm(
                editing=True,
                initial={
                    "label": definition.label,
                    "type": definition.type,
                    "options": "\n".join(definition.options),
                    "show_as_column": definition.show_as_column,
                },
            ),
        )
        return context

    def post(self, request, pk):
        definition = self.get_object()
        if request.POST.get("do") == "delete":
            services.custom_field_definition_delete(definition=definition)
            messages.success(request, f"Deleted the field “{definition.label}”; its values stay, free-form.")
            return redirect("contacts:custom-fields")
        if request.POST.get("do") in {"up", "down"}:
            _move(self.get_queryset().in_order(), definition, -1 if request.POST["do"] == "up" else 1)
            return redirect("contacts:custom-fields")
        form = DefinitionForm(request.POST, editing=True)
        if form.is_valid():
            try:
                services.custom_field_definition_update(definition=definition, **form.cleaned_data)
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Saved the field.")
                return redirect("contacts:custom-fields")
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _move(definitions, definition, offset: int) -> None:
    """Swap a definition's place with its neighbour's, renumbering the positions 1…n."""
    ordered = list(definitions)
    index = next(i for i, one in enumerate(ordered) if one.pk == definition.pk)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    for position, one in enumerate(ordered, start=1):
        if one.position != position:
            services.custom_field_definition_update(definition=one, position=position)
