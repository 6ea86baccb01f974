from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Organisation, Person, User
from accounts.roles import Role
from accounts.services import user_email_mark_verified, user_set_role


class RoleFormMixin(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, help_text=_("Each account has one role."))


class UserCreationForm(RoleFormMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "language")


class UserChangeForm(RoleFormMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "language", "is_active", "is_superuser")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.groups.values_list("name", flat=True).first() if self.instance.pk else None
        self.fields["role"].initial = current


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Administrators create staff and reviewer accounts here and give each one role."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    search_fields = ["email", "first_name", "last_name"]
    list_display = ["email", "first_name", "last_name", "role", "language", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "language"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Role and access"), {"fields": ("role", "is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "language",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("role"))
    def role(self, obj):
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(g.name, g.name)) for g in obj.groups.all())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            user_email_mark_verified(obj)
        role = form.cleaned_data.get("role")
        if role and list(obj.groups.values_list("name", flat=True)) != [role]:
            user_set_role(actor=request.user, user=obj, role=role)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "sex", "community", "municipality", "consent_given"]
    list_filter = ["sex", "community", "municipality", "consent_given"]
    search_fields = ["first_name", "last_name", "email", "personal_number", "jmbg"]
    list_select_related = ["municipality"]
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "type", "municipality", "registration_number"]
    list_filter = ["type", "municipality"]
    search_fields = ["name", "registration_number", "fiscal_number"]
    list_select_related = ["municipality"]
