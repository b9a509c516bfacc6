"""The web app (`kalo serve`): `app` composes FastAPI, the JSON API (`api`) and the Gradio UI (`layout`,
with the chat `handlers` and the guides tab in `admin`); `render` writes all HTML; `static/` holds CSS,
JavaScript and page templates. Every operation goes through the `Assistant` facade held by `context`."""
