"""Forms of the citizen service: field checks and messages; the rules live in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.pii import normalise_id_number, normalise_phone
from fengqiao.core.errors import ValidationFailed
from fengqiao.public.schemas import PublicSubmissionIn
from fengqiao.public.selectors import category_groups

# The honeypot: hidden from people by CSS, filled in by form-filling bots.
HONEYPOT_FIELD = "website"


class TelInput(forms.TextInput):
    input_type = "tel"


class SubmissionForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of dispute is it?"),
        help_text=_("Choose the closest match; staff will correct it if needed."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who is involved, since when, and what you would like to achieve."),
    )
    address = forms.CharField(
        label=_("Where did it happen?"),
        min_length=2,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=_("District, street, community and building, as precisely as you can."),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=20,
        widget=TelInput(attrs={"autocomplete": "tel"}),
        help_text=_(
            "We call this number about your dispute. Its last four digits let you follow it."
        ),
    )
    id_number = forms.CharField(
        label=_("Resident ID number (optional)"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Helps the mediators if the dispute ends in an agreement."),
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = category_groups()
        category = self.fields["category"]
        if isinstance(category, forms.ChoiceField):
            category.choices = [("", _("Choose a category")), *groups]

    @property
    def is_bot(self) -> bool:
        return any(error.code == "honeypot" for error in self.errors.as_data().get("__all__", []))

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except ValidationFailed as exc:
            raise ValidationError(
                _("Enter an 11-digit mobile number, or a landline with its area code."),
                code="phone",
            ) from exc

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data["id_number"].strip()
        if not value:
            return ""
        try:
            return normalise_id_number(value)
        except ValidationFailed as exc:
            raise ValidationError(
                _("This is not a valid resident ID number; check it or leave the field empty."),
                code="id_number",
            ) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get(HONEYPOT_FIELD):
            raise ValidationError(_("Your submission could not be accepted."), code="honeypot")
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
            cleaned["lat"] = cleaned["lng"] = None
        return cleaned

    def submission(self) -> PublicSubmissionIn:
        data = self.cleaned_data
        return PublicSubmissionIn(
            category=data["category"],
            description=data["description"],
            address=data["address"],
            lat=data.get("lat"),
            lng=data.get("lng"),
            name=data["name"],
            phone=data["phone"],
            id_number=data.get("id_number", ""),
        )


class StatusForm(forms.Form):
    tracking_code = forms.CharField(
        label=_("Tracking code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    phone_last4 = forms.CharField(
        label=_("Last four digits of your phone number"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off"}
        ),
    )

    def clean_phone_last4(self) -> str:
        value: str = self.cleaned_data["phone_last4"].strip()
        if not (len(value) == 4 and value.isdigit()):
            raise ValidationError(_("Enter four digits."), code="digits")
        return value
