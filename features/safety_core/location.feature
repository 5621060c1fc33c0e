@CSW-SAF-3
Feature: The guardian sees where the watch is
  The watch reports its location to the guardian within the accuracy the
  profile sets. (That strangers cannot see it is a privacy clause.)

  Scenario: The guardian sees the watch where it is
    Given a watch bound to its guardian
    When the watch is outdoors at latitude 31.2304, longitude 121.4737
    Then the guardian sees the watch within the profile's location error

  Scenario: The guardian sees where the watch moved to
    Given a watch bound to its guardian
    When the watch is outdoors at latitude 31.2304, longitude 121.4737
    And the watch is outdoors at latitude 31.2397, longitude 121.4998
    Then the guardian sees the watch within the profile's location error
