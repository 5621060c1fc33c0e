@CSW-ADD-4
Feature: No service at night by default
  Between the profile's night hours the watch offers no service but its
  basic functions, and opens again when they end.

  Scenario: Apps do not open during the night hours, and open when they end
    Given a watch bound to its guardian
    When the profile's night hours begin
    And the child tries to open an everyday app
    Then the watch refuses
    When the profile's night hours end
    And the child tries to open an everyday app
    Then the watch allows it

  Scenario: The emergency call works at night
    Given a watch bound to its guardian
    When the profile's night hours begin
    And the child tries to make an emergency call
    Then the watch allows it

  Scenario: A time zone where it is daytime does not end the night
    Given a watch bound to its guardian
    When the profile's night hours begin
    And the child changes the time zone to "+00:00"
    And the child tries to open an everyday app
    Then the watch refuses
