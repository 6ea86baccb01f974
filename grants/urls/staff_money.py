"""Money at a glance, at /<lang>/staff/money/ in the "staff" namespace: the portfolio and the exchange rates."""

from django.urls import path

from grants.views import money as views

urlpatterns = [
    path("", views.MoneyPortfolioView.as_view(), name="money"),
    path("rates/", views.ExchangeRateListView.as_view(), name="exchange_rates"),
]
