class ApplicationError(Exception):
    """A rule of the programme refused an action. The message is shown to the user as it is.

    Services raise it with a translatable message that says what is wrong and what to do;
    views turn it into a message on the page.
    """

    def __init__(self, message, *, code=None, extra=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
