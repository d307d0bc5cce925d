"""The AI tool register in the API: the register (list and read) and the tools a campaign
uses, with what they mean for its submission."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions, registry, services
from ..models import RegisterTool
from .views import CampaignAPIView, errors


class ToolSerializer(serializers.ModelSerializer):
    review_expired = serializers.SerializerMethodField()

    class Meta:
        model = RegisterTool
        fields = [
            "id",
            *services.TOOL_FIELDS,
            "review",
            "review_limits",
            "reviewed_at",
            "review_expires_at",
            "review_expired",
        ]

    def get_review_expired(self, tool) -> bool:
        return tool.expired()


class FindingSerializer(serializers.Serializer):
    tool = serializers.IntegerField()
    message = serializers.CharField()
    blocks_submission = serializers.BooleanField()


class CampaignToolsSerializer(serializers.Serializer):
    tools = ToolSerializer(many=True)
    findings = FindingSerializer(many=True)


class CampaignToolsUpdateSerializer(serializers.Serializer):
    tools = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), max_length=100
    )


class RegisterView(APIView):
    @extend_schema(
        summary="The AI tool and vendor register",
        responses={200: ToolSerializer(many=True), **errors()},
    )
    def get(self, request):
        return Response(ToolSerializer(registry.register_for(request.user), many=True).data)


class ToolView(APIView):
    @extend_schema(summary="One register entry", responses={200: ToolSerializer, **errors(404)})
    def get(self, request, pk: int):
        return Response(ToolSerializer(registry.tool_for(request.user, pk)).data)


def _campaign_tools(campaign) -> dict:
    return {
        "tools": ToolSerializer(campaign.tools.order_by("name"), many=True).data,
        "findings": [
            {"tool": f.tool.pk, "message": str(f.message), "blocks_submission": f.blocks}
            for f in registry.tool_findings(campaign)
        ],
    }


class CampaignToolsView(CampaignAPIView):
    @extend_schema(
        summary="The register tools the campaign uses, and what they mean for submitting it",
        responses={200: CampaignToolsSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        return Response(_campaign_tools(self.campaign))

    @extend_schema(
        summary="Set the register tools the campaign uses (vendor answers are pre-filled)",
        request=CampaignToolsUpdateSerializer,
        responses={200: CampaignToolsSerializer, **errors(400, 403, 404)},
    )
    def put(self, request, pk: int):
        if not permissions.can_edit_campaign(request.user, self.campaign):
            raise PermissionDenied("Only the campaign's team edits its draft.")
        body = CampaignToolsUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = set(body.validated_data["tools"])
        tools = list(RegisterTool.objects.filter(pk__in=wanted))
        if len(tools) != len(wanted):
            raise serializers.ValidationError({"tools": ["Unknown tool."]})
        services.campaign_set_tools(actor=request.user, campaign=self.campaign, tools=tools)
        return Response(_campaign_tools(self.campaign))
