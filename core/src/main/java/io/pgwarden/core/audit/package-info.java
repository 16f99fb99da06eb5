/**
 * Checks audit files written by the audit plugin, from their documented format alone (docs/audit.md): the core
 * never loads the plugin's classes.
 */
package io.pgwarden.core.audit;
