from django.db import models
from taggit.managers import TaggableManager

from accounts.models import SubAccount


class NaiveContact(models.Model):
    """The baseline a first draft would write: an integer key, only the foreign key's index, and
    taggit's default generic tags (global `Tag`, `TaggedItem` by content type and object id)."""

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, null=True, blank=True)
    phone = models.CharField(max_length=32, null=True, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_conversation = models.DateTimeField(null=True, blank=True)
    conversation_count = models.PositiveIntegerField(default=0)

    tags = TaggableManager(blank=True)

    def __str__(self) -> str:
        return self.name
