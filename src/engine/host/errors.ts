import { MultiSiteError } from '../errors';

export class HostNotConfiguredError extends MultiSiteError {
  constructor(readonly home: string, reason: string) {
    super(`${home} is not a MultiSite host home (${reason}): run "multitool mkhost -name HOST" with MULTISITE_HOME set to it first.`);
  }
}

export class HostExistsError extends MultiSiteError {
  constructor(readonly home: string, readonly host: string) {
    super(`${home} is already the home of host "${host}"; use another MULTISITE_HOME for a new host.`);
  }
}

export class PeerError extends MultiSiteError {}

export class VobTagNotFoundError extends MultiSiteError {
  constructor(readonly tag: string, readonly host: string) {
    super(`VOB tag "${tag}" is not registered on host "${host}"; see "multitool lsvob".`);
  }
}

export class VobTagExistsError extends MultiSiteError {
  constructor(readonly tag: string) {
    super(`VOB tag "${tag}" is already registered on this host; choose another tag.`);
  }
}

export class VobTagRegistryError extends MultiSiteError {
  constructor(readonly file: string, readonly tag: string, readonly dir: string, reason: string) {
    super(`VOB tag "${tag}" in ${file} names storage "${dir}": ${reason}; correct or remove the entry.`);
  }
}

/** The registry file itself cannot be read as one (cut short, overwritten, edited by hand). */
export class VobTagRegistryDamagedError extends MultiSiteError {
  constructor(readonly file: string, reason: string) {
    super(`The VOB-tag registry ${file} is damaged (${reason}); restore it from a backup or correct it by hand (one entry per tag: {"tags": {"/vobs/dev": {"tag": "/vobs/dev", "dir": ..., "familyOid": ..., "replicaOid": ..., "replicaName": ...}}}).`);
  }
}

/** A -vob directory a new replica's storage cannot go to. */
export class StorageDirError extends MultiSiteError {
  constructor(readonly dir: string, reason: string) {
    super(`Cannot create storage directory ${dir}: ${reason}; choose another with -vob.`);
  }
}
