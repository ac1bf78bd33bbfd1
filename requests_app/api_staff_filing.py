"""`POST /api/v1/staff/requests/`: staff record a help-desk request (issue 21), also one a
representative filed for the person (APPI Art. 37(3)): JSON, or multipart with the proofs of
authority as `representative_proof` files. Bad input is a 4xx in the API's error shape and
nothing is written (services.representatives checks the representative and the proofs)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from requests_app.api_serializers_staff import StaffRequestSummarySerializer
from requests_app.models import Channel, RepresentativeKind, RequestType
from requests_app.services import representatives

ADD_PERMISSION = "requests_app.add_datasubjectrequest"


class StaffFileSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RequestType.choices)
    details = serializers.JSONField(required=False, default=dict)
    subject_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                         default="")
    subject_email = serializers.EmailField()
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="ja")
    received_at = serializers.DateTimeField(required=False, default=None)
    representative_kind = serializers.ChoiceField(choices=RepresentativeKind.choices,
                                                  required=False, allow_blank=True, default="")
    representative_name = serializers.CharField(max_length=200, required=False,
                                                allow_blank=True, default="")
    representative_email = serializers.CharField(max_length=254, required=False,
                                                 allow_blank=True, default="")
    representative_relation = serializers.CharField(max_length=200, required=False,
                                                    allow_blank=True, default="")


def staff_request_file(request) -> Response:
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied(_("Recording help-desk requests needs the right to add requests."))
    serializer = StaffFileSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    proofs = request.FILES.getlist("representative_proof") if hasattr(request, "FILES") else []
    representative = representatives.representative_clean(
        kind=data["representative_kind"], name=data["representative_name"],
        email=data["representative_email"], relation=data["representative_relation"],
        proofs=proofs)
    created, _sent = representatives.representative_request_file(
        representative=representative, proofs=proofs, actor=request.user, type=data["type"],
        channel=Channel.HELPDESK, details=data["details"], subject_name=data["subject_name"],
        subject_email=data["subject_email"], language=data["language"],
        received_at=data["received_at"])
    return Response(StaffRequestSummarySerializer(created).data, status=status.HTTP_201_CREATED)
