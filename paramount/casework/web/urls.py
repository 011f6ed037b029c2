"""The pages' URLs (included at the root by `paramount.casework.urls`). Notification emails
link to /cases/<reference>/ and /referrals/."""

from __future__ import annotations

from django.urls import path

from paramount.casework.web.views import (
    accounts,
    administration,
    audit,
    board,
    cases,
    charts,
    home,
    partner,
    reports,
    review,
    workflow,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", accounts.logout, name="logout"),
    path("accounts/setup/", accounts.setup, name="otp-setup"),
    path("accounts/verify/", accounts.verify, name="otp-verify"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/<str:reference>/", cases.case_detail, name="case-detail"),
    path("cases/<str:reference>/children/<int:case_child_id>/check/", workflow.child_check,
         name="child-check"),
    path("cases/<str:reference>/children/<int:case_child_id>/verdict/",
         workflow.child_verdict, name="child-verdict"),
    path("cases/<str:reference>/agreements/<int:agreement_id>/withdraw/", workflow.withdraw,
         name="agreement-withdraw"),
    path("cases/<str:reference>/link-chart.anx", charts.link_chart, {"fmt": "anx"},
         name="link-chart-anx"),
    path("cases/<str:reference>/link-chart.csv", charts.link_chart, {"fmt": "csv"},
         name="link-chart-csv"),
    path("cases/<str:reference>/<slug:slug>/", workflow.step, name="case-step"),
    # The workflow's own pages (children's pages; the case search is a POST to cases/).
    path("children/<str:pseudonym>/", cases.child_detail, name="child-detail"),
    path("overdue/", cases.overdue, name="overdue"),
    path("review/", review.review_list, name="review-list"),
    path("review/<int:task_id>/", review.review_detail, name="review-detail"),
    path("referrals/", partner.referral_list, name="referral-list"),
    path("referrals/<int:referral_id>/", partner.referral_detail, name="referral-detail"),
    path("referrals/<int:referral_id>/acknowledge/", partner.acknowledge,
         name="referral-acknowledge"),
    path("referrals/<int:referral_id>/withdraw/", partner.withdraw, name="referral-withdraw"),
    path("dashboard/", reports.dashboard, name="dashboard"),
    path("evaluation/", reports.evaluation, name="evaluation"),
    path("evaluation/extract.zip", reports.evaluation_download, name="evaluation-extract"),
    path("verdicts.csv", reports.verdicts_csv, name="verdicts-csv"),
    path("board-report.pdf", board.board_report_pdf, name="board-report"),
    path("audit/", audit.audit_log, name="audit"),
    path("administration/", administration.administration, name="administration"),
    path("administration/users/add/", administration.add_user, name="add-user"),
    # Accounts: choosing a password from the emailed link; editing and deactivating (these
    # two before the generic account actions).
    path("accounts/set-password/<str:uidb64>/<str:token>/", accounts.set_password,
         name="set-password"),
    path("administration/users/<str:username>/edit/", administration.edit_user,
         name="edit-user"),
    path("administration/users/<str:username>/deactivate/", administration.deactivate,
         name="deactivate-user"),
    path(
        "administration/users/<str:username>/<slug:action>/",
        administration.account_action,
        name="account-action",
    ),
]
