"""Case pages: each views module declares its own routes; they are gathered here."""

from fengqiao.cases.views import case_page, intake, lists

app_name = "cases"

urlpatterns = [*intake.urlpatterns, *case_page.urlpatterns, *lists.urlpatterns]
