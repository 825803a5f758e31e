/**
 * shipping.conf: parser, configuration model, validator and keyword table, shared by the
 * shipping engine, the command line (`multitool checkconf`) and the language server.
 *
 * Reading a host's configuration (engine code):
 *
 *   const conf = loadShippingConf(home);            // <home>/config/shipping.conf, defaults applied
 *   conf.maxDataSizeKb                               // 2097151 unless MAX-DATA-SIZE says less
 *   conf.classes.get('-default')!.storageBays        // absolute bay paths; -default falls back to
 *                                                    //   <home>/shipping/ms_ship and .../ms_rtn
 *   storageClassFor(conf, sclass)                    // the class a packet uses (unknown → -default)
 *   configuredClasses(conf)                          // classes with at least one bay
 *   conf.classes.get(c)!.expirationDays              // 14 by default, 0 = never, undefined for cq_default
 *   receiptHandlerFor(conf, sclass)                  // own handler, else -default's, else undefined
 *   nextHopFor(conf, host)                           // ROUTE next hop, -default route, else host itself
 *   conf.administrators / notificationProgram        // ['root'] by default / undefined = built-in notifier
 *   conf.minPort, conf.maxPort, conf.downhostTimeoutMinutes
 *
 * Working on text (editor, checkconf):
 *
 *   const parsed = parseShippingConf(text);          // never throws; lines, entries, comments, suppressions
 *   buildShippingConf(parsed, { home })              // the same model from text already in memory
 *   validateShippingConf(parsed, options)            // ConfDiagnostic[] with stable codes (rules.ts)
 *
 * The keyword table (keywords.ts) and the rule table (rules.ts) are the single sources of truth
 * for keywords, arguments, defaults, documentation and diagnostic codes.
 */
export * from './keywords';
export * from './parser';
export * from './model';
export * from './load';
export * from './rules';
export * from './fileSystem';
export * from './validator';
export * from './siteHosts';
export * from './fixes';
export * from './ruleDocs';
