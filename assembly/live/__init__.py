"""The live layer of meetings over Socket.IO (projector, facilitator console, phones).
Handlers here call the same services as the pages."""
