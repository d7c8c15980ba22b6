/** The iot-sensors example: sensor readings over HOP windows in SQL ({@link dev.freshet.examples.iot.SensorStats}). */
package dev.freshet.examples.iot;
