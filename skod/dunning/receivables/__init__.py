"""The provider's side of its debts: the receivables list and case page, the actions' forms, the
client file, the reminder settings, the dashboard's overview and the receivables API; the
blueprint every provider page about money owed registers on."""
