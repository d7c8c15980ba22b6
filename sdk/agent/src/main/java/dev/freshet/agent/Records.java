package dev.freshet.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** The JSON the converting options write: one object per record, ending in {@code \n}. */
final class Records {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Records() {}

  static String withoutNewLine(String record) {
    return record.endsWith("\n") ? record.substring(0, record.length() - 1) : record;
  }

  static String toJsonLine(Map<String, ?> fields) {
    try {
      return JSON.writeValueAsString(fields) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("strings and nulls always serialize", e);
    }
  }
}
