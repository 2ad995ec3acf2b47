"""The e-mails of steps 0-2: the failure notice, the friendly reminder (J+7) and the formal
reminder (J+15), written from plain facts (letters, formal_reminder) and sent by notify."""
