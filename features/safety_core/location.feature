@CSW-SAF-3
Feature: The guardian sees where the watch is
  The watch reports its location to the guardian within the accuracy the
  profile sets, when the guardian asks and on its own: once the guardian has
  consented, it reports its position at least every 30 minutes
  (docs/protocol.md section 5), however time passes in between. (That
  strangers cannot see it is a privacy clause.)

  Scenario: The guardian sees the watch where it is
    Given a watch bound to its guardian
    When the watch is outdoors at latitude 31.2304, longitude 121.4737
    Then the guardian sees the watch within the profile's location error

  Scenario: The guardian sees where the watch moved to
    Given a watch bound to its guardian
    When the watch is outdoors at latitude 31.2304, longitude 121.4737
    And the watch is outdoors at latitude 31.2397, longitude 121.4998
    Then the guardian sees the watch within the profile's location error

  Scenario: Once the guardian consents, the watch reports its position on its own
    Given a watch fresh out of the box
    And the guardian binds the watch
    When the guardian consents to the rules for children's personal information
    And 7 minutes pass
    And 30 minutes pass
    Then the watch has reported its position on its own within the last 30 minutes
