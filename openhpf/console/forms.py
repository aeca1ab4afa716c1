"""Console forms: staff sign-in (password, then the TOTP code), password change and reset, TOTP enrolment."""

from __future__ import annotations

from django import forms


class StaffLoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)


class TotpForm(forms.Form):
    code = forms.CharField(label="动态口令", min_length=6, max_length=6)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean() or self.cleaned_data
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class PasswordResetForm(forms.Form):
    """本人凭重置码设置新密码: the code the security admin's reset sent to the user's own mobile."""

    username = forms.CharField(label="用户名", max_length=150)
    code = forms.CharField(label="短信重置码", min_length=8, max_length=8)
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean() or self.cleaned_data
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data
