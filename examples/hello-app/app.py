"""hello-app: the tiny service the example SBOM describes."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello from stellaops\n"


if __name__ == "__main__":
    app.run(port=8080)
