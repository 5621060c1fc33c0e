@CSW-ADD-4
Feature: No service at night by default
  The watch's night must cover the profile's night hours (it may be longer):
  from the profile's night start to its last minute no app opens but the
  basic functions. Every app on the watch is tried.

  Scenario: No app opens from the profile's night start to its last minute, and apps open again in the morning
    Given a watch bound to its guardian
    When the profile's night hours begin
    And the child tries to open every gated app
    Then the watch refuses every one of them
    When the last minute of the profile's night hours comes
    And the child tries to open every gated app
    Then the watch refuses every one of them
    When the next morning comes
    And the child tries to open every gated app
    Then the watch allows every one of them

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
