"""Registration to events: the form (registration_form), the user's registrations, cancelling."""
