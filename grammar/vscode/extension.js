// Starts `tariff lsp` for .tariff files; its diagnostics appear as you type.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("tariff").get("command");
  client = new LanguageClient(
    "tariff",
    "Tariff",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "tariff" }] }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
