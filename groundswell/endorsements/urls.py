from django.urls import path

from groundswell.endorsements import views

app_name = "endorsements"
urlpatterns = [
    path("", views.nomination_list, name="nominations"),
    path("nominate/<slug:slug>/", views.nominate, name="nominate"),
    path("nominations/<int:nomination_id>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:nomination_id>/resend-link/", views.resend_link, name="resend-link"),
    path("nominations/<int:nomination_id>/my-questionnaire/", views.my_questionnaire, name="my-questionnaire"),
    path("nominations/<int:nomination_id>/open-vote/", views.open_vote, name="open-vote"),
    path("nominations/<int:nomination_id>/close-vote/", views.close_vote, name="close-vote"),
    path("nominations/<int:nomination_id>/ballots/<int:ballot_id>/recuse/", views.record_recusal, name="recuse"),
    path("nominations/<int:nomination_id>/ballots/<int:ballot_id>/reissue/", views.reissue_ballot, name="reissue"),
    path("nominations/<int:nomination_id>/state-review/", views.state_review, name="state-review"),
    path("nominations/<int:nomination_id>/decide/", views.decide, name="decide"),
    path("nominations/<int:nomination_id>/withdraw/", views.withdraw, name="withdraw"),
    path("nominations/<int:nomination_id>/pledge/", views.pledge, name="pledge"),
    path("nominations/<int:nomination_id>/commitment/", views.commitment, name="commitment"),
    path("questionnaire/<str:token>/", views.answer, name="answer"),
    path("ballot/<str:token>/", views.ballot, name="ballot"),
    path("slate/", views.slate, name="slate"),
    path("feed.json", views.feed, name="feed"),
    path("platform/", views.platform, name="platform"),
    path("platform/<int:issue_id>/", views.platform_issue, name="platform-issue"),
    path("questionnaires/new/", views.questionnaire, name="questionnaire-new"),
    path("questionnaires/<int:template_id>/", views.questionnaire, name="questionnaire"),
    path("scorecard/", views.scorecard_page, name="scorecard"),
    path("import/", views.import_page, name="import"),
    path("import/mapping/", views.import_mapping, name="import-mapping"),
    path("import/<int:import_id>/undo/", views.undo_import, name="import-undo"),
]
