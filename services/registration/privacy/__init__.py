"""Personal data: an attendee downloads it or has it erased; retention erases it too."""
