import * as vscode from 'vscode';

// Activation entry (dist/extension.js). Replaced by the full client (issue 2).
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
