"""GOV.UK Design System markup for Django form fields: text input, textarea, select,
radios, checkboxes and the three-part date input, each with its hint and error message,
and the error summary that links to them."""

from __future__ import annotations

from datetime import date

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class Hinted(str):
    """A choice's label with a hint under it (GOV.UK radio and checkbox item hints):
    `(value, Hinted("Ann Smith", hint="2 open cases; Northtown"))`."""

    hint: str

    def __new__(cls, label: str, *, hint: str = "") -> Hinted:
        made = super().__new__(cls, label)
        made.hint = hint
        return made


class DateInput(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes."""

    template_name = ""  # rendered by `field_html`, never by Django's widget templates

    def __init__(self) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()])

    def decompress(self, value: date | None) -> list:
        return [value.day, value.month, value.year] if value else [None, None, None]

    def value_from_datadict(self, data, files, name) -> list[str]:
        return [(data.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")]


class DateField(forms.Field):
    """A date from GOV.UK's three boxes, with GOV.UK's error messages."""

    widget = DateInput

    def __init__(self, *, label_text: str, **kwargs) -> None:
        self.label_text = label_text
        super().__init__(**kwargs)

    def to_python(self, value) -> date | None:
        day, month, year = (value or ["", "", ""]) + [""] * (3 - len(value or []))
        if not (day or month or year):
            return None
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(
                f"{self.label_text} must include a {' and '.join(missing)}"
            )
        try:
            if len(year) != 4:
                raise ValueError
            return date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{self.label_text} must be a real date") from None

    def validate(self, value) -> None:
        if value is None and self.required:
            raise forms.ValidationError(f"Enter {self.label_text[0].lower()}{self.label_text[1:]}")


def _error_id(field: BoundField) -> str:
    return f"{field.auto_id}-error"


def first_input_id(field: BoundField) -> str:
    """Where the error summary's link for a field goes."""
    widget = field.field.widget
    if isinstance(widget, DateInput):
        return f"{field.auto_id}-day"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    return field.auto_id


def _hint(field: BoundField) -> tuple[SafeString, str]:
    if not field.help_text:
        return mark_safe(""), ""
    hid = f"{field.auto_id}-hint"
    return format_html('<div id="{}" class="govuk-hint">{}</div>', hid, field.help_text), hid


def _error(field: BoundField) -> tuple[SafeString, str]:
    if not field.errors:
        return mark_safe(""), ""
    eid = _error_id(field)
    return (
        format_html(
            '<p id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">'
            "Error:</span> {}</p>",
            eid,
            " ".join(str(e) for e in field.errors),
        ),
        eid,
    )


def _describedby(*ids: str) -> SafeString:
    ids = tuple(i for i in ids if i)
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else mark_safe("")


def _value(field: BoundField) -> str:
    value = field.value()
    return "" if value is None else str(value)


def field_html(field: BoundField) -> SafeString:
    """One field as a GOV.UK form group."""
    widget = field.field.widget
    hint, hint_id = _hint(field)
    error, error_id = _error(field)
    group = "govuk-form-group" + (" govuk-form-group--error" if field.errors else "")
    described = _describedby(hint_id, error_id)
    label_text = conditional_escape(field.label)

    if isinstance(widget, DateInput):
        values = field.value() if isinstance(field.value(), list) else widget.decompress(
            field.value()
        )
        parts = []
        for i, (part, width, text) in enumerate(
            (("day", 2, "Day"), ("month", 2, "Month"), ("year", 4, "Year"))
        ):
            value = values[i] if values and i < len(values) and values[i] is not None else ""
            err = " govuk-input--error" if field.errors else ""
            parts.append(format_html(
                '<div class="govuk-date-input__item"><div class="govuk-form-group">'
                '<label class="govuk-label govuk-date-input__label" for="{id}-{p}">{t}</label>'
                '<input class="govuk-input govuk-date-input__input govuk-input--width-{w}{e}" '
                'id="{id}-{p}" name="{n}-{p}" type="text" inputmode="numeric" value="{v}">'
                "</div></div>",
                id=field.auto_id, p=part, t=text, w=width, e=err, n=field.html_name, v=value,
            ))
        return format_html(
            '<div class="{g}"><fieldset class="govuk-fieldset" role="group"{d}>'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{l}</legend>'
            '{h}{e}<div class="govuk-date-input" id="{id}">{parts}</div></fieldset></div>',
            g=group, d=described, l=label_text, h=hint, e=error, id=field.auto_id,
            parts=mark_safe("".join(parts)),
        )

    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        multiple = isinstance(widget, forms.CheckboxSelectMultiple)
        kind = "checkboxes" if multiple else "radios"
        current = field.value()
        chosen = {str(v) for v in (current or [])} if multiple else {str(current or "")}
        items = []
        for i, (value, text) in enumerate(field.field.choices):
            if value == "":
                continue
            iid = f"{field.auto_id}_{i}"
            item_hint = getattr(text, "hint", "")
            items.append(format_html(
                '<div class="govuk-{k}__item"><input class="govuk-{k}__input" id="{iid}" '
                'name="{n}" type="{t}" value="{v}"{c}{d}><label class="govuk-label '
                'govuk-{k}__label" for="{iid}">{text}</label>{h}</div>',
                k=kind, iid=iid, n=field.html_name, t="checkbox" if multiple else "radio",
                v=value, c=mark_safe(" checked") if str(value) in chosen else "", text=text,
                d=_describedby(f"{iid}-item-hint" if item_hint else ""),
                h=format_html('<div id="{}-item-hint" class="govuk-hint govuk-{}__hint">{}</div>',
                              iid, kind, item_hint) if item_hint else "",
            ))
        small = " govuk-radios--small" if (not multiple and len(items) > 6) else ""
        return format_html(
            '<div class="{g}"><fieldset class="govuk-fieldset"{d}>'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{l}</legend>'
            '{h}{e}<div class="govuk-{k}{s}" data-module="govuk-{k}">{items}</div>'
            "</fieldset></div>",
            g=group, d=described, l=label_text, h=hint, e=error, k=kind, s=small,
            items=mark_safe("".join(items)),
        )

    if isinstance(widget, forms.CheckboxInput):
        checked = mark_safe(" checked") if field.value() else ""
        return format_html(
            '<div class="{g}">{h}{e}<div class="govuk-checkboxes govuk-checkboxes--small" '
            'data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" id="{id}" name="{n}" type="checkbox" '
            'value="1"{c}{d}><label class="govuk-label govuk-checkboxes__label" for="{id}">{l}'
            "</label></div></div></div>",
            g=group, h=hint, e=error, id=field.auto_id, n=field.html_name, c=checked,
            d=described, l=label_text,
        )

    label = format_html('<label class="govuk-label govuk-label--s" for="{}">{}</label>',
                        field.auto_id, label_text)
    if isinstance(widget, forms.Select):
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) == _value(field) else "", t)
             for v, t in field.field.choices),
        )
        control = format_html(
            '<select class="govuk-select{}" id="{}" name="{}"{}>{}</select>',
            " govuk-select--error" if field.errors else "", field.auto_id, field.html_name,
            described, options,
        )
    elif isinstance(widget, forms.Textarea):
        control = format_html(
            '<textarea class="govuk-textarea{}" id="{}" name="{}" rows="4"{}>{}</textarea>',
            " govuk-textarea--error" if field.errors else "", field.auto_id, field.html_name,
            described, _value(field),
        )
    else:
        input_type = getattr(widget, "input_type", "text")
        extra = format_html(
            "".join(f' {k}="{{}}"' for k in widget.attrs if k not in ("class",)),
            *[widget.attrs[k] for k in widget.attrs if k not in ("class",)],
        )
        width = widget.attrs.get("class", "")
        control = format_html(
            '<input class="govuk-input{}{}" id="{}" name="{}" type="{}" value="{}"{}{}>',
            " govuk-input--error" if field.errors else "", f" {width}" if width else "",
            field.auto_id, field.html_name, input_type,
            "" if input_type == "password" else _value(field), described, extra,
        )
    return format_html('<div class="{}">{}{}{}{}</div>', group, label, hint, error, control)


def error_summary(form: forms.Form) -> list[dict[str, str]]:
    """The error summary's items: text and the link to the field (or none for the form's)."""
    items = [{"text": str(e), "href": ""} for e in form.non_field_errors()]
    for name in form.fields:
        bound = form[name]
        for e in bound.errors:
            items.append({"text": str(e), "href": f"#{first_input_id(bound)}"})
    return items
