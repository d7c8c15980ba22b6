/**
 * The web console of {@code freshet server} at {@code /console} ({@link
 * dev.freshet.kinesis.console.ConsoleService}): pages served from this jar and the JSON endpoints
 * behind them, over the store, the Firehose service, the video fragment store and an optional SQL
 * back end ({@link dev.freshet.kinesis.console.ConsoleSql}). See {@code docs/console.md}.
 */
package dev.freshet.kinesis.console;
