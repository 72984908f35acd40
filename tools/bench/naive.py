"""The naive baseline API: what the DRF tutorial leads to, mounted only by tools.settings at /naive/.

A plain ModelViewSet with a ModelSerializer, SearchFilter, OrderingFilter, LimitOffsetPagination
(which counts every row on every page) and taggit's generic tags. Tags are prefetched, so the
baseline is not an N+1 strawman; it is scoped to the key's sub-account like the product.
"""

from rest_framework import filters, serializers, viewsets
from rest_framework.pagination import LimitOffsetPagination
from taggit.serializers import TaggitSerializer, TagListSerializerField

from tools.bench.models import NaiveContact

CUSTOM_FIELD_PREFIX = "custom_field."


class NaiveContactSerializer(TaggitSerializer, serializers.ModelSerializer):
    tags = TagListSerializerField(required=False)

    class Meta:
        model = NaiveContact
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "tags",
            "custom_fields",
            "created_at",
            "updated_at",
            "last_conversation",
            "conversation_count",
        ]
        read_only_fields = ["created_at", "updated_at", "last_conversation", "conversation_count"]


class NaivePagination(LimitOffsetPagination):
    default_limit = 25
    max_limit = 100


class NaiveContactViewSet(viewsets.ModelViewSet):
    serializer_class = NaiveContactSerializer
    pagination_class = NaivePagination
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["name", "email"]
    ordering_fields = ["created_at", "updated_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        queryset = NaiveContact.objects.filter(sub_account=self.request.auth.sub_account).prefetch_related("tags")
        for tag in self.request.query_params.getlist("tag"):
            queryset = queryset.filter(tags__name=tag)
        for name, value in self.request.query_params.items():
            if name.startswith(CUSTOM_FIELD_PREFIX):
                queryset = queryset.filter(**{f"custom_fields__{name.removeprefix(CUSTOM_FIELD_PREFIX)}": value})
        return queryset

    def perform_create(self, serializer):
        serializer.save(sub_account=self.request.auth.sub_account)
