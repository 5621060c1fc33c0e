@CSW-ADD-1
Feature: The guardian's daily limit
  The guardian sets how long the watch may be used each day. When the time is
  used up the watch keeps only its basic functions (calls with the guardian,
  the emergency call, location) and the apps the guardian exempted. Every app
  on the watch is tried, not one: a gate that spares one app is a way around.

  Background:
    Given a watch bound to its guardian
    And the guardian sets a short daily limit

  Scenario: Every app closes when the daily time is used up
    When the child uses "maths" past the daily limit
    And the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: The limit gives the whole time the guardian set: apps open a minute before it is used up and close a minute after
    When the child uses "maths" until a minute of the daily limit is left
    And the child tries to open every gated app
    Then the watch allows every one of them
    When the child uses "maths" for two more minutes
    And the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: The shortest limit the guardian can set holds too
    Given the guardian sets the shortest daily limit the watch offers
    When the child uses "maths" past the daily limit
    And the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: An app left open closes when the daily time is used up
    When the child leaves "maths" open well past the daily limit
    Then the watch stopped counting when the daily limit was used up

  Scenario: The next day gives a fresh allowance, and the limit holds on it too
    When the child uses "maths" past the daily limit
    And the next morning comes
    And the child tries to open every gated app
    Then the watch allows every one of them
    When the child uses "maths" past the daily limit
    And the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: Basic functions stay when the daily time is used up
    When the child uses "maths" past the daily limit
    And the child tries to make an emergency call
    Then the watch allows it
    When the child tries to call the guardian
    Then the watch allows it

  Scenario: The child cannot remove or stop the basic functions
    When the child tries to uninstall or force-stop each basic function
    Then the watch refuses every one of them
    When the child uses "maths" past the daily limit
    And the child tries to make an emergency call
    Then the watch allows it
    When the child tries to call the guardian
    Then the watch allows it
    When the guardian tries to locate the child
    Then the watch allows it

  Scenario: An app the guardian exempted stays usable
    Given the guardian sets a short daily limit exempting "maths"
    When the child uses "camera" past the daily limit
    And the child tries to open "maths"
    Then the watch allows it
    When the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: The child cannot lift the limit from the watch
    When the child tries to change the daily limit
    Then the watch refuses
    And the guardian's daily limit is unchanged
