"""The open archive for readers and machines: the front door's feeds and calendars, Atom feeds,
iCalendar and the JSON/CSV open-data exports."""
