"""A client contesting a debt from the pay page, as a conversation: the reason on the case, the
provider's answer, a part or all of it accepted (a credit note lowers what is owed), or a
rejection with its reason that resumes the ladder."""
