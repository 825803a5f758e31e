import type { ServerState } from '../state';
import { computeDiagnostics, forgetDiagnostics } from '../services/diagnostics';

/**
 * Push diagnostics: validate a document after its last change settles (validationDelay),
 * at once when it is opened, and drop a run that a newer version has superseded.
 */
export class Validator {
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly state: ServerState) {}

  schedule(uri: string, delay = this.state.client.validationDelay): void {
    const old = this.timers.get(uri);
    if (old) clearTimeout(old);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.validate(uri);
      }, delay),
    );
  }

  async validate(uri: string): Promise<void> {
    const doc = this.state.document(uri);
    if (!doc) return;
    try {
      const ctx = await this.state.context(doc);
      const diagnostics = computeDiagnostics(doc, ctx);
      // A newer version arrived while settings were fetched: its own run will publish.
      if (this.state.documents.get(uri)?.version !== doc.version) return;
      await this.state.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    } catch (e) {
      this.state.connection.console.error(`Validation of ${uri} failed: ${(e as Error).stack ?? e}`);
    }
  }

  /** Re-validates every open document from scratch (settings or the disk changed). */
  validateAll(): void {
    forgetDiagnostics();
    for (const d of this.state.documents.all()) this.schedule(d.uri, 0);
  }

  clear(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    void this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
